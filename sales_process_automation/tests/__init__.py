from . import test_stage_history
from . import test_working_hours
from . import test_backfill
from . import test_access
from . import test_demo
from . import test_sla
from . import test_analysis
from . import test_analysis_tour
