"""API routers, one module per area; ``mentra_platform.app`` includes them."""
