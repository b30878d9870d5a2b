"""The rule pack: its model, its language (pointers, conditions), loading with `extends`, compiling."""
