"""A deterministic simulator of the web shop and the telecom that feed the warehouse.

`generate` writes the daily export files of docs/source_contract.md and a ground-truth
manifest computed from what it wrote; `python -m tools.simulator` is its CLI.
"""

from tools.simulator.config import SimulatorConfig
from tools.simulator.engine import generate

__all__ = ["SimulatorConfig", "generate"]
