from . import pipeline_simulation
