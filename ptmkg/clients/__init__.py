"""Live clients for public APIs (GitHub, arXiv, OpenAlex): cached, rate-limit aware, output as frames."""
