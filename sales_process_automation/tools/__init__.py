from . import pipeline_simulation
from . import feedback_sampling
