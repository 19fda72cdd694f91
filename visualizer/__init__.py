"""The observing side of schedviz: the model, the load generator, the app and the CLI."""
