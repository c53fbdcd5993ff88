"""Reports for the network: figures per period, small-number suppression, SVG charts."""
