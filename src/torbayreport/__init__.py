"""torbayreport: reproducible monthly reporting for children's services improvement programmes.

Data flows one way: io -> metrics -> assess -> disclose -> (charts, tables) -> notebooks -> build -> render.
A module imports only from those before it.
"""

__version__ = "0.1.0"
