"""Charts layer: the shared plotly theme, then article, scenario and survey figures."""
