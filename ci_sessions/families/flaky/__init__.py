"""families/flaky"""
