"""Turn one blob into derived blobs: archive members (and, with the decoders, decoded runs).

Pure over bytes: nothing here reads or writes files, starts threads or reaches the network.
"""
