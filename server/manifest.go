package main

// manifestID is the plugin's id in plugin.json (checked by a test).
const manifestID = "devops-channels"
