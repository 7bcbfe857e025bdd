"""The build as a whole: order of the stages, the manifest, the benchmark and the doctor."""
