""" "Stay and scope": an option whose proxies see the whole cluster, priced beside its scoped variant
(or, when scoping is answered, beside the unscoped one), so the saving is a number, not a hint."""

from __future__ import annotations

from advisor.records import record


@record
class ScopingVariant:
    """The same option with sidecar_scoping the other way, for the components whose view it changes."""

    scoped: bool  # the variant's scoping (the opposite of the answers')
    component: str  # the proxy whose view changes
    memory_mib_each: float  # per proxy in the variant
    memory_mib_each_now: float  # per proxy as answered
    usage_monthly_usd: float  # the option's usage cost in the variant
    usage_monthly_usd_now: float
    memory_gib: float
    memory_gib_now: float
    limit_reached: bool  # the variant still meets a limit
    limit_reached_now: bool

    @property
    def scoped_saving_usd(self) -> float:
        """What scoping saves per month (positive when the scoped variant costs less)."""
        if self.scoped:
            return self.usage_monthly_usd_now - self.usage_monthly_usd
        return self.usage_monthly_usd - self.usage_monthly_usd_now

    @property
    def scoped_saving_mib_each(self) -> float:
        if self.scoped:
            return self.memory_mib_each_now - self.memory_mib_each
        return self.memory_mib_each - self.memory_mib_each_now

    @property
    def viable_only_scoped(self) -> bool:
        """Unscoped, the proxies meet their limit; scoped, they do not."""
        unscoped_limit = self.limit_reached_now if self.scoped else self.limit_reached
        scoped_limit = self.limit_reached if self.scoped else self.limit_reached_now
        return unscoped_limit and not scoped_limit
