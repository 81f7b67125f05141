"""families/security"""
