"""Media editing: audio and video edit jobs (one FFmpeg pass each) and generated quote images.

- fields.py: the fields of each operation (serializers, also the OpenAPI schemas)
- operations.py: the declared operations and their checks against the real media
- commands.py: one FFmpeg command per job (one filter graph)
- services.py: edit_job_create, edit_job_run, edit_job_cancel
- runner.py: how a job runs (claim, progress, cancel, publish, clean up)
- selectors.py: reads of edit jobs
- quotes.py: quote images rendered with Pillow (quote_image_create)
- fonts.py: the font files, shipped by the system package fonts-dejavu-core
"""
