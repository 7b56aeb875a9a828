"""The models of pricing.toml: price presets and the reference node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.catalog.models.base import model
from advisor.catalog.models.benchmarks import Figure

if TYPE_CHECKING:
    from advisor.catalog.models.base import NonEmpty


@model
class PricePreset:
    title: NonEmpty
    cpu_usd_per_vcpu_hour: Figure
    memory_usd_per_gib_hour: Figure
    description: str = ""


@model
class ReferenceNode:
    """The node size the cluster's compute bill assumes when the answers do not give one."""

    name: NonEmpty
    vcpu: Figure
    memory_gib: Figure


@model
class Pricing:
    data_version: NonEmpty
    default_preset: NonEmpty
    presets: dict[str, PricePreset]
    reference_node: ReferenceNode | None = None
