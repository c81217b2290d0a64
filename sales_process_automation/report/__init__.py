from . import sales_process_complex_report
from . import sales_process_lead_report
from . import sales_process_funnel_report
from . import sales_process_bottleneck_report
from . import sales_process_stage_time_report
from . import sales_process_feedback_report
