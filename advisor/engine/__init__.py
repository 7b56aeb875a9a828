"""The engine: pure computation from answers and catalog to results (cost, score, what-if, robustness, sweep, compare, plan)."""
