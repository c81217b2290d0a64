from . import sales_process_complex_report
from . import sales_process_lead_report
from . import sales_process_funnel_report
from . import sales_process_bottleneck_report
from . import sales_process_stage_time_report
from . import sales_process_feedback_report
from . import sales_process_assignment_review_report
from . import sales_process_sla_review_report
