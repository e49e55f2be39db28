#!/usr/bin/python3
"""A simulated network camera: GStreamer's RTSP server (gst-rtsp-server) on 127.0.0.1, serving a live H.264 test
picture (SMPTE bars) at rtsp://127.0.0.1:PORT/PATH, as an IP camera serves its main stream.
Usage: rtsp-camera.py PORT PATH. Prints "ready" once it listens. RTSP over TCP (interleaved) as the agent asks for it."""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, path = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96 )")
factory.set_shared(True)
server.get_mount_points().add_factory("/" + path, factory)
if server.attach(None) == 0:
    sys.exit("cannot listen on 127.0.0.1:" + port)
print("ready", flush=True)
GLib.MainLoop().run()
