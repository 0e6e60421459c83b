from kube_cli.launch import main

main()
