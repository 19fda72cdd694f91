"""The timeline as the app draws it: the Gantt item, its index, the plot, the view, the picture."""
