"""Word frames (docxtpl templates) for reports; ``build_frame`` generates the default one."""
