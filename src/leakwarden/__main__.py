from leakwarden.cli.main import entry

entry()
