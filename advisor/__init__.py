"""mesh-advisor: choose a Kubernetes service mesh and see what it will cost."""

__version__ = "0.1.0"
