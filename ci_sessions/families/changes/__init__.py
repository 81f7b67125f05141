"""families/changes"""
