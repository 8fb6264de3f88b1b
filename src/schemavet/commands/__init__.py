"""The library calls behind the CLI's commands: verify, check, snapshot, adopt, apply, rehearse,
review and the rollback proof. Each asks the dialect registry for what is engine-specific."""
