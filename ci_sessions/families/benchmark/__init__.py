"""families/benchmark"""
