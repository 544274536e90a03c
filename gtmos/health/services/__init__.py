"""Writes to the health records. The daily task, pages, admin and demo data all call these."""
