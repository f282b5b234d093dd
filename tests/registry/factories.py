"""Small, readable camera fixtures covering every field."""

from __future__ import annotations

from sentinelle.registry.camera import Camera


def full_cameras() -> list[Camera]:
    """Three cameras that together use every field, each kind of date precision and head."""
    return [
        Camera.from_record(
            {
                "id": "REN-001",
                "name": "Place Sainte-Anne, façade nord",
                "lon": -1.680517,
                "lat": 48.114441,
                "height_m": 6.5,
                "type": "dome",
                "status": "in_service",
                "mount": "wall",
                "installed": "2010-03-15",
                "purposes": "PREVENTION_ATTEINTES_PERSONNES_BIENS;TERRORISME",
                "retention_days": 15,
                "authorisation": "AP-35-2020-0042",
                "stream_main": "rtsp://admin:s3cret@10.20.0.11:554/Streaming/Channels/101",
                "stream_sub": "rtsp://admin:s3cret@10.20.0.11:554/Streaming/Channels/102",
                "assumed": False,
                "azimuth_deg": 135.0,
                "hfov_deg": 90.0,
                "tilt_deg": -20.0,
                "range_m": 40.0,
            }
        ),
        Camera.from_record(
            {
                "id": "REN-002",
                "name": "Dalle du Colombier (multicapteur)",
                "lon": -1.679351,
                "lat": 48.104649,
                "height_m": 8.0,
                "type": "multisensor",
                "status": "out_of_service",
                "installed": "2012-11",
                "removed_on": "2024",
                "purposes": ["PREVENTION_ATTEINTES_PERSONNES_BIENS"],
                "retention_days": 30,
                "authorisation": "AP-35-2020-0042",
                "assumed": True,
                "heads": [
                    {"azimuth_deg": 0.0, "hfov_deg": 92.5, "focal_mm": 2.8,
                     "sensor_width_mm": 5.37, "image_width_px": 2688, "tilt_deg": -15.0},
                    {"azimuth_deg": 90.0, "hfov_deg": 92.5, "tilt_deg": -15.0},
                    {"azimuth_deg": 180.0, "hfov_deg": 92.5, "tilt_deg": -15.0},
                    {"azimuth_deg": 270.0, "hfov_deg": 92.5, "tilt_deg": -15.0},
                ],
            }
        ),
        Camera.from_record(
            {
                "id": "REN-003",
                "name": "Carrefour Italie",
                "lon": -1.6679,
                "lat": 48.086564,
                "height_m": 10.0,
                "type": "ptz",
                "status": "planned",
                "mount": "pole",
                "installed": "2026",
                "installed_raw": "2026 (prévu)",
                "purposes": ["REGULATION_FLUX_TRANSPORT"],
                "azimuth_deg": 45.0,
                "hfov_deg": 60.0,
                "range_m": 120.0,
                "pan_min_deg": 0.0,
                "pan_max_deg": 360.0,
            }
        ),
    ]
