from . import sales_process_assignment_test
from . import sales_process_pipeline_simulation
from . import sales_process_pipeline_simulation_stage
from . import sales_process_pipeline_simulation_result
from . import sales_process_pipeline_simulation_band
from . import sales_process_template_apply
from . import base_import_import
