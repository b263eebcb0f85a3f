"""Service projects: from collective needs to a prototype, its evaluation and the committee's decision."""
