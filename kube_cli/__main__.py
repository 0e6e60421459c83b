from kube_cli.cli import main

main()
