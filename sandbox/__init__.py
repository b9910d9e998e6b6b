"""A stand-alone, stateful fake of the A2E, Respeecher and Burki HTTP APIs."""
