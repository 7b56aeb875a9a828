"""`mesh-advisor scan`: read a cluster (through kubectl), its manifests and its traffic into answers with evidence.

Layout: `signals` (the data in data/signals.toml and its matcher), `files` (manifests and dumps),
`kubectl` (the live cluster), `prometheus` (traffic), `infer` (objects -> inventory, membership,
capabilities), `result` (the scan document). The core never prints.
"""
