"""What fourp keeps between runs: the cache folder, sealed entries, results and compiled packs."""
