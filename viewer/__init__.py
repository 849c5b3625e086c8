"""Group Viewer: inspect face clusters from the Image Intelligence recognition API."""
