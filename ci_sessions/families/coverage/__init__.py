"""families/coverage"""
