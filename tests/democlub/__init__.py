"""Tests of the demo club portal (democlub/)."""
