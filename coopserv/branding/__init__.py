"""A territory's own face: logo, colours (checked for contrast), language and host name."""
