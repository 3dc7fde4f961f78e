"""The flasklint language server (pygls): the engine's diagnostics, fixes and endpoint knowledge in editors."""
