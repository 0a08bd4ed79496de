"""API routers, one module per area; ``mentra_platform.http.app`` includes them."""
