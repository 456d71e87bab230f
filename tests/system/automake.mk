# tests/system/: hypervisors and VMs as namespaces (tools/sandbox).
