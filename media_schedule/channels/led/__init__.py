"""Outdoor LED screens (户外显示屏): rendering to each screen's pixels, playlists, packages."""
