"""families/tests"""
