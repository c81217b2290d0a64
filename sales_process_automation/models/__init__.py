from . import sales_process_stage_tracking_mixin
from . import sales_process_stage_history
from . import crm_team
from . import crm_lead
from . import sale_order
from . import helpdesk_ticket_team
from . import helpdesk_ticket
