# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.fields import Domain

# the rating scale of a process stage
STAGE_SCALE_MIN = 1
STAGE_SCALE_MAX = 5


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    def _sales_process_add_stage_questions(self):
        """Add a rating question for each stage of the sales and after-sales
        process that the survey does not rate yet (won, lost and closed stages
        are outcomes, not steps the customer can rate)."""
        crm_stages = self.env["crm.stage"].search(
            [("is_won", "=", False)], order="sequence, id"
        )
        ticket_stages = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", False)], order="sequence, id"
        )
        Question = self.env["survey.question"]
        for survey in self:
            rated = survey.question_ids
            values = []
            # the steps in process order, before the closing questions
            for field, stages, offset in (
                ("sales_process_crm_stage_id", crm_stages, 0),
                ("sales_process_ticket_stage_id", ticket_stages, 500),
            ):
                for stage in stages - rated[field]:
                    values.append(
                        {
                            "survey_id": survey.id,
                            "sequence": offset + stage.sequence,
                            "title": self.env._(
                                "How satisfied are you with this step: %s?",
                                stage.name,
                            ),
                            "question_type": "scale",
                            "scale_min": STAGE_SCALE_MIN,
                            "scale_max": STAGE_SCALE_MAX,
                            "scale_min_label": self.env._("Not at all"),
                            "scale_max_label": self.env._("Very satisfied"),
                            field: stage.id,
                        }
                    )
            Question.create(values)
        return True

    def _sales_process_questions_for(self, crm_stages, ticket_stages):
        """The questions of the survey for a customer who went through the
        given stages: the stage ratings of those stages and every other
        question."""
        self.ensure_one()
        return self.question_ids.filtered_domain(
            Domain.AND(
                [
                    Domain("sales_process_crm_stage_id", "=", False)
                    | Domain("sales_process_crm_stage_id", "in", crm_stages.ids),
                    Domain("sales_process_ticket_stage_id", "=", False)
                    | Domain("sales_process_ticket_stage_id", "in", ticket_stages.ids),
                ]
            )
        )
