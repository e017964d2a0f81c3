"""gunicorn settings read by `make run` and the images: start the embedded workers per process."""


def post_worker_init(worker) -> None:
    """Re-enqueue the jobs a previous run left unfinished (embedded mode only); start the
    callback sender (both modes)."""
    from service import start_callback_sender, start_embedded_workers

    start_embedded_workers(worker.wsgi)
    start_callback_sender(worker.wsgi)
