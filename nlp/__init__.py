"""nlp-insight: offline Korean review insight (score, aspects, topics, trends, report).

Importing the package first turns off the network switches of the stacks it uses (ONNX
Runtime telemetry, the Hugging Face hub): see :mod:`nlp._offline`.
"""

from nlp._offline import apply_offline_env as _apply_offline_env

_apply_offline_env()
