"""What every app may import: shared exceptions and the boundary's input normalisation.

Nothing here imports an app of the project.
"""
