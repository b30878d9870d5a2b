"""Cross-plan rules: facts taken from each plan, judged once every plan of an audit is in."""
