# controller/: dvr-controller, the per-node daemon.
