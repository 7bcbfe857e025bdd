"""Stage 3: what a profile says and how it looks: context, charts, HTML, PDF, overview."""
